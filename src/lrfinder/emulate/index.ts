export * from './options.js';
export * from './plans.js';
export * from './smoothing.js';
export * from './stop-rules.js';
export * from './libraries.js';
export * from './emulator.js';
