export * from './ivf-reader';
export * from './loop-sources';
export * from './media-cache';
export * from './ogg-opus-reader';
export * from './paced-rtp-sender';
export * from './rtp-packetizer';
export * from './annexb-reader';
export * from './video-codecs';
