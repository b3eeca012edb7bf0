/** Placeholder: the services helper replaces this. */
export default async function globalTeardown(): Promise<void> {}
