import { loadConfig } from '../config/config.schema';
import { requiredBinaries } from './bootstrap';

const names = (env: Record<string, string>) => requiredBinaries(loadConfig(env)).map((r) => r.name);

describe('requiredBinaries', () => {
  it('the embedded default needs redis-server, ffmpeg, ffprobe and the offline recogniser with its model', () => {
    expect(names({})).toEqual(['redis-server', 'ffmpeg', 'ffprobe', 'pocketsphinx_continuous', '/usr/share/pocketsphinx/model/en-us']);
  });

  it('an api with REDIS_URL needs nothing; a worker with an API key needs no pocketsphinx', () => {
    expect(names({ APP_ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([]);
    expect(names({ APP_ROLE: 'worker', REDIS_URL: 'redis://127.0.0.1:6379', OPENAI_API_KEY: 'k' })).toEqual(['ffmpeg', 'ffprobe']);
    expect(names({ APP_ROLE: 'recorder', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual(['ffmpeg', 'ffprobe']);
  });
});
