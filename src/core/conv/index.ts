/** The numeric kernels of 2-D convolution and pooling (the layer modules wrap these). */
export * from './geometry.js';
export * from './conv2d.js';
export * from './pool.js';
export * from './cost.js';
export * from './init.js';
export { im2col, col2imAdd } from './im2col.js';
