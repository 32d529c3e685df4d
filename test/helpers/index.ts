export * from './host.js';
export * from './arbitraries.js';
export * from './runner.js';
