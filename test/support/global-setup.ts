/** Placeholder: the services helper replaces this with the RGW/shared-services setup. */
export default async function globalSetup(): Promise<void> {}
