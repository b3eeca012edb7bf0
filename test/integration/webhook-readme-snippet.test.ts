/**
 * Runs exactly the receiver code of README.md's webhook verification section (the README's verification
 * snippet) in a child node process and sends it real signed deliveries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhook } from '../../src/webhooks/webhook-signature';
import { WebhookSender } from '../../src/webhooks/webhook-sender';

jest.setTimeout(30_000);

const SECRET = `whsec_${Buffer.from('readme-snippet-test-key-32-bytes').toString('base64')}`;

describe('README webhook verification snippet', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let url: string;

  beforeAll(async () => {
    const md = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const blocks = [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks).toHaveLength(1);
    dir = mkdtempSync(join(tmpdir(), 'recbot-snippet-'));
    const file = join(dir, 'receiver.js');
    writeFileSync(file, blocks[0] ?? '');
    child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, PORT: '0', RECBOT_WEBHOOK_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`snippet did not start: ${output}`)), 10_000);
      child.stdout?.on('data', () => {
        const m = /listening on (\d+)/.exec(output);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    url = `http://127.0.0.1:${port}/hooks`;
  });

  afterAll(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a delivery signed by recbot and rejects tampered, wrongly keyed and stale ones', async () => {
    const sender = new WebhookSender({ timeoutMs: 5000 });
    const d = await sender.deliver({ url, secret: SECRET }, 'recording.completed', { recordingId: 'rec-42' }, { webhookId: 'msg_readme1' });
    expect(d).toMatchObject({ ok: true, status: 204, webhookId: 'msg_readme1' });

    const body = JSON.stringify({ type: 'recording.completed', timestamp: new Date().toISOString(), data: { recordingId: 'rec-43' } });
    const post = (headers: Record<string, string>, b: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b }).then((r) => r.status);
    const now = Date.now() / 1000;
    const good = signWebhook({ secret: SECRET, id: 'msg_readme2', timestampSec: now, body });
    expect(await post({ ...good }, body.replace('rec-43', 'rec-44'))).toBe(400);
    expect(await post({ ...signWebhook({ secret: 'another-secret', id: 'msg_readme3', timestampSec: now, body }) }, body)).toBe(400);
    expect(await post({ ...signWebhook({ secret: SECRET, id: 'msg_readme4', timestampSec: now - 600, body }) }, body)).toBe(400);
    expect(await post({ ...good }, body)).toBe(204);

    await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/received recording\.completed msg_readme1 \{"recordingId":"rec-42"\}/);
    expect(output).toMatch(/received recording\.completed msg_readme2 \{"recordingId":"rec-43"\}/);
    expect(output.match(/rejected invalid webhook signature/g)).toHaveLength(2);
    expect(output).toMatch(/rejected stale webhook timestamp/);
  });
});
