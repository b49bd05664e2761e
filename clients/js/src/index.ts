// Public surface of @chainference/client: one re-export per module.
export * from './generated';
export * from './admin';
export * from './chain';
export * from './crypto';
export * from './errors';
export * from './protocol-config';
export * from './provider';
export * from './requests';
export * from './servers';
