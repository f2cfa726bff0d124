export { ChannelsPage } from './components/ChannelsPage';
