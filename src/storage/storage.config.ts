import { z } from 'zod';
import { envBool, envInt, envOptionalString, envString, envUrl } from '../config/env-types';

/** Object storage settings (owned by the storage feature). */
export const storageConfigShape = {
  STORAGE_DRIVER: z.enum(['fs', 's3']).optional().transform((v) => v ?? 'fs'),
  /** fs driver root; default: $WORK_DIR/storage. */
  STORAGE_FS_DIR: envOptionalString(),
  S3_BUCKET: envOptionalString(),
  S3_REGION: envString('us-east-1'),
  S3_ENDPOINT: envUrl(),
  S3_FORCE_PATH_STYLE: envBool(false),
  S3_ACCESS_KEY_ID: envOptionalString(),
  S3_SECRET_ACCESS_KEY: envOptionalString(),
  /** 'WHEN_REQUIRED' for S3-compatible servers that reject the SDK's default CRC checksums. */
  S3_CHECKSUM_MODE: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional().transform((v) => v ?? 'WHEN_SUPPORTED'),
  S3_SSE: z.enum(['none', 'AES256', 'aws:kms']).optional().transform((v) => v ?? 'none'),
  S3_SSE_KMS_KEY_ID: envOptionalString(),
  RETENTION_DAYS: envInt(3650, { min: 1 }),
  STAGING_EXPIRE_DAYS: envInt(7, { min: 1 }),
  COLD_TRANSITION_DAYS: envInt(0, { min: 0 }),
  COLD_STORAGE_CLASS: envString('STANDARD_IA'),
  OBJECT_LOCK_MODE: z.enum(['none', 'GOVERNANCE', 'COMPLIANCE']).optional().transform((v) => v ?? 'none'),
  OBJECT_LOCK_DAYS: envInt(0, { min: 0 }),
  APPLY_LIFECYCLE_ON_START: envBool(true),
  UPLOAD_CONCURRENCY: envInt(4, { min: 1, max: 64 }),
  UPLOAD_TIMEOUT_MS: envInt(60_000, { min: 1000 }),
  /** Lifetime of the presigned URL GET /v1/recordings/:id/outputs/... hands out for the s3 driver. */
  OUTPUT_URL_TTL_S: envInt(300, { min: 10, max: 7 * 24 * 3600 }),
};
