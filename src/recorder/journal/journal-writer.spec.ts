import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeJournal, type JournalHeader } from './journal-format';
import { JournalWriter } from './journal-writer';

const header: JournalHeader = { recordingId: 'r', participantId: 'p', trackKey: 'video', seq: 1, part: 1, codec: 'vp8', kind: 'video', clockRate: 90000, createdMs: 0 };
const frame = (i: number) => ({ rtpTimestamp: i * 3000, keyframe: i === 0, arrivalFirstMs: i, arrivalLastMs: i, data: Buffer.alloc(100, i) });

describe('JournalWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'journal-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('makes appended frames durable on its timer without an explicit flush', async () => {
    const file = path.join(dir, 'a', '000001.journal');
    const w = new JournalWriter(file, header, 30);
    for (let i = 0; i < 5; i++) w.appendFrame(frame(i));
    await new Promise((r) => setTimeout(r, 150));
    const j = decodeJournal(await fsp.readFile(file));
    expect(j?.frames.map((f) => f.rtpTimestamp)).toEqual([0, 3000, 6000, 9000, 12000]);
    w.appendFrame(frame(5));
    await w.close();
    await w.close();
    expect(decodeJournal(await fsp.readFile(file))?.frames).toHaveLength(6);
    await w.discard();
    await expect(fsp.access(file)).rejects.toThrow();
  });

  it('reports an I/O error instead of throwing on the media path', async () => {
    const file = path.join(dir, 'is-a-dir');
    await fsp.mkdir(file);
    const w = new JournalWriter(file, header, 30);
    expect(() => w.appendFrame(frame(0))).not.toThrow();
    await w.close();
    expect(w.error).toBeDefined();
  });
});
