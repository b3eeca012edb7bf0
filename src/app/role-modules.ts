import type { RoleModules } from './app.module';

/** The Nest feature modules each APP_ROLE loads. */
export function roleModules(): RoleModules {
  return {
    api: [],
    recorder: [],
    worker: [],
  };
}
