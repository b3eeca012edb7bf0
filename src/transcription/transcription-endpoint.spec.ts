import { loadConfig } from '../config/config.schema';
import { resolveTranscriptionEndpoint, transcriberOptionsFromConfig } from './transcription-endpoint';

describe('resolveTranscriptionEndpoint', () => {
  it('starts the embedded offline endpoint when no API key is set', async () => {
    const config = loadConfig({});
    const ep = await resolveTranscriptionEndpoint(config);
    try {
      expect(ep.offline).toBe(true);
      expect(ep.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${(ep.baseURL ?? '').replace(/\/v1$/, '')}/health`);
      expect(res.status).toBe(200);
    } finally {
      await ep.close();
      await ep.close(); // idempotent
    }
  });

  it('uses OpenAI, a custom base URL or Azure when a key is set', async () => {
    const plain = await resolveTranscriptionEndpoint(loadConfig({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }));
    expect(plain).toMatchObject({ offline: false, apiKey: 'sk-1', baseURL: 'http://127.0.0.1:9/v1' });
    const azure = await resolveTranscriptionEndpoint(loadConfig({ OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' }));
    expect(azure.azure).toEqual({ endpoint: 'https://x.openai.azure.com', apiVersion: '2024-06-01' });
    const opts = transcriberOptionsFromConfig(loadConfig({ TRANSCRIBE_CONCURRENCY: '3', TRANSCRIBE_MAX_ATTEMPTS: '7' }), plain, '/tmp/x');
    expect(opts).toMatchObject({ model: 'whisper-1', concurrency: 3, retry: { maxAttempts: 7 }, baseURL: 'http://127.0.0.1:9/v1' });
  });
});
