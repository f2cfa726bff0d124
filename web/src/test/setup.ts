import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lays nothing out: give elements a size so the virtualised list renders its rows, and stub ResizeObserver.
for (const [name, size] of [['clientHeight', 800], ['clientWidth', 400], ['offsetHeight', 800], ['offsetWidth', 400]] as const) {
  Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => size });
}
class NoResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoResizeObserver as unknown as typeof ResizeObserver;
Element.prototype.scrollTo ??= function scrollTo() {};

afterEach(() => {
  cleanup();
  localStorage.clear();
});
