export { KnowledgePage } from './components/KnowledgePage';
