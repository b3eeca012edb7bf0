export * from './webhook-events';
export * from './webhook-retry';
export * from './webhook-sender';
export * from './webhook-signature';
export * from './webhook-job';
export * from './webhook.handlers';
