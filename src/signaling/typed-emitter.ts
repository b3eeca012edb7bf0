import { EventEmitter } from 'node:events';

/** A minimal typed wrapper over Node's EventEmitter: `E` maps event names to argument tuples. */
export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly ee = new EventEmitter();

  constructor() {
    this.ee.setMaxListeners(50);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.ee.on(event, listener as (...a: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.ee.once(event, listener as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.ee.off(event, listener as (...a: unknown[]) => void);
    return this;
  }

  /** Emit; a throwing listener never breaks the emitter's caller (errors go to `onListenerError`). */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    for (const l of this.ee.listeners(event)) {
      try {
        (l as (...a: E[K]) => void)(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  protected onListenerError(_event: string, _err: unknown): void {
    /* subclasses log */
  }

  protected removeAllListeners(): void {
    this.ee.removeAllListeners();
  }
}
