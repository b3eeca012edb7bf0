import type { MediaStreamTrack } from 'werift';
import type { Logger } from '../common/logger';
import type { LoopSource } from '../media/paced-rtp-sender';
import type { BotVideoCodec } from '../media/video-codecs';
import type { InboundTrackInfo, TrackSinkFactory } from '../recorder/track-sink';
import type { CallIceConfig, SignalingAdapter } from '../signaling/signaling-adapter';
import type { BotSettings } from './bot-settings';
import type { CallPeer } from './call-peer';
import type { CoverageGap } from './call-presence';
import type { CoverageStatus } from './coverage-keeper';
import type { CallRole, FrozenDetector } from './recovery-ladder';
import type { TrackFeed } from './track-feed';

/** Status snapshot of a bot (for events, health and the API). */
export interface BotStatus {
  state: 'idle' | 'joining' | 'in-room' | 'reconnecting' | 'stopped';
  participants: { id: string; name: string }[];
  peers: {
    id: string;
    role: CallRole;
    connection: string;
    tracks: number;
    packets: number;
    kbpsIn: number;
    /** Time since the last ping/pong of this call (undefined before the first). */
    heartbeatAgeMs?: number;
  }[];
  /** Participants in the call but not recorded (open holes) and the not-recorded time so far. */
  coverage?: CoverageStatus;
  stopReason?: string;
}

export interface BotEvents {
  status: [BotStatus];
  track: [InboundTrackInfo];
  peerState: [{ participantId: string; state: string }];
  stopped: [reason: string];
  /** A participant was in the call but not recorded from startMs to endMs (closed interval). */
  coverageGap: [CoverageGap];
}

/** Outgoing media of the bot: silent Opus and the "REC" tile in every codec it can send, looped. */
export interface BotMedia {
  audio: LoopSource;
  video: Record<BotVideoCodec, LoopSource>;
}

export interface BotOptions {
  signaling: SignalingAdapter;
  sinkFactory: TrackSinkFactory;
  media: BotMedia;
  settings: BotSettings;
  logger?: Logger;
}

/** The bot's state for one remote participant (one call). */
export interface PeerEntry {
  id: string;
  callId: string;
  role: CallRole;
  ice: CallIceConfig | undefined;
  peer: CallPeer;
  tracks: { audio: MediaStreamTrack; video: MediaStreamTrack };
  feeds: TrackFeed[];
  echoed: boolean;
  /** When this call (entry) was created: an unanswered CALLING of ours ages from here. */
  createdMs: number;
  offerTimer?: NodeJS.Timeout;
  detector: FrozenDetector;
  problemSinceMs?: number;
  iceRestartDone: boolean;
  fullRestartDone: boolean;
  lastBytes: number;
  kbpsIn: number;
  lastHeartbeatMs?: number;
}
