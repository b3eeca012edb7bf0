export * from './signaling-adapter';
export * from './gdmn-protocol';
export * from './gdmn-receive-rules';
export * from './gdmn-participants';
export * from './gdmn-signaling.adapter';
