export { AiStudioPage } from './components/AiStudioPage';
