import { documentLocation } from '../../shared/config/document';
import { MAX_DOCUMENT_BYTES } from '../../shared/config/live';
import type { ObsClient } from '../../shared/huawei/obs';
import type { ServiceSpec } from './spec';

/**
 * The configuration documents the functions will read (RESTORE_PILOT_CONFIG), read from OBS now with
 * the deploying user's keys, so the preflight checks what the functions will run on: its chains'
 * buckets against the OBS trigger, its settings against the environment's. Upload the document first.
 */
export async function readDocuments(spec: ServiceSpec, obs: Pick<ObsClient, 'readObjectText'>): Promise<Map<string, string>> {
  const documents = new Map<string, string>();
  for (const fn of spec.functions) {
    let location;
    try {
      location = documentLocation(fn.environment);
    } catch {
      continue; // the preflight names what is wrong with the setting itself
    }
    if (!location || documents.has(location.path)) continue;
    try {
      documents.set(location.path, (await obs.readObjectText(location.bucket, location.key, { maxBytes: MAX_DOCUMENT_BYTES })).text);
    } catch (error) {
      throw new Error(`cannot deploy ${fn.key}: RESTORE_PILOT_CONFIG ${location.path} cannot be read (${(error as Error).message}): upload the document before deploying`);
    }
  }
  return documents;
}
