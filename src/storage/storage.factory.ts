import path from 'node:path';
import { ConfigError } from '../common/errors';
import type { AppConfig } from '../config/config.schema';
import { FsStorageDriver } from './fs-storage.driver';
import type { LifecyclePolicy } from './lifecycle-rules';
import { S3StorageDriver } from './s3-storage.driver';
import type { StorageDriver } from './storage.types';

/** The lifecycle policy configured by RETENTION_DAYS, STAGING_EXPIRE_DAYS, COLD_*. */
export function lifecyclePolicyFromConfig(config: AppConfig): LifecyclePolicy {
  return {
    retentionDays: config.RETENTION_DAYS,
    stagingExpireDays: config.STAGING_EXPIRE_DAYS,
    coldTransitionDays: config.COLD_TRANSITION_DAYS,
    coldStorageClass: config.COLD_STORAGE_CLASS,
  };
}

/** The fs driver's root: STORAGE_FS_DIR, else `${WORK_DIR}/storage`. */
export function fsStorageDir(config: AppConfig): string {
  return path.resolve(config.STORAGE_FS_DIR ?? path.join(config.WORK_DIR, 'storage'));
}

/**
 * Build the configured storage driver (STORAGE_DRIVER = fs | s3). Throws ConfigError when s3 is
 * selected without S3_BUCKET, or with only one of the two credential variables.
 */
export function createStorageDriver(config: AppConfig): StorageDriver {
  if (config.STORAGE_DRIVER === 'fs') return new FsStorageDriver(fsStorageDir(config));
  const problems: string[] = [];
  if (!config.S3_BUCKET) problems.push('S3_BUCKET=unset: required when STORAGE_DRIVER=s3');
  if (Boolean(config.S3_ACCESS_KEY_ID) !== Boolean(config.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither (neither uses the default AWS credential chain)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new S3StorageDriver({
    bucket: config.S3_BUCKET as string,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
    checksumMode: config.S3_CHECKSUM_MODE,
    sse: config.S3_SSE,
    sseKmsKeyId: config.S3_SSE_KMS_KEY_ID,
    lifecycle: lifecyclePolicyFromConfig(config),
    objectLockMode: config.OBJECT_LOCK_MODE,
    uploadConcurrency: config.UPLOAD_CONCURRENCY,
    uploadTimeoutMs: config.UPLOAD_TIMEOUT_MS,
  });
}
