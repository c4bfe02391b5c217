/** Your photos → an IQA set: distortions, the MS-SSIM score formula, PNG and the KADID-layout zip. */
export * from './image';
export * from './distortions';
export * from './msssim';
export * from './png';
export * from './makeSet';
export * from './kadidZip';
