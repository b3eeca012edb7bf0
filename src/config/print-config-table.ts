import { configTableMarkdown } from './config.docs';

/** `npm run config-table`: prints README's configuration table. */
process.stdout.write(`${configTableMarkdown()}\n`);
