import {
  BackupMigrationJob,
  CreateBackupMigrationJobRequest,
  CreateBackupMigrationJobResponse,
  ListBackupMigrationJobsQuery,
  ListBackupMigrationJobsResponse,
  JobName,
  type BackupMigrationJobSummary,
} from './drs-schemas';
import { InvalidRequestError } from './errors';
import type { Transport } from './transport';
import { parseRequest, parseResponse, segment, toQuery } from './validate';

/** Page size for walking the job list; DRS's own default (10) would cost ten times the calls. */
const WALK_PAGE_SIZE = 100;

/** DRS v5 backup migration (restore) jobs. */
export class DrsClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private get base() {
    return `/v5/${segment(this.projectId)}/backup-migration-jobs`;
  }

  async listBackupMigrationJobs(query: ListBackupMigrationJobsQuery = {}) {
    const operation = 'drs.listBackupMigrationJobs';
    const valid = parseRequest(operation, ListBackupMigrationJobsQuery, query);
    const response = await this.transport.send({ operation, service: 'drs', method: 'GET', path: this.base, query: toQuery(valid), retry: true });
    return parseResponse(operation, ListBackupMigrationJobsResponse, response.body, response.requestId);
  }

  /** Every job matching the filters, walking limit/offset until `count` jobs were seen. */
  async listAllBackupMigrationJobs(query: Omit<ListBackupMigrationJobsQuery, 'limit' | 'offset'> = {}): Promise<BackupMigrationJobSummary[]> {
    const jobs: BackupMigrationJobSummary[] = [];
    for (let offset = 0; ; offset += WALK_PAGE_SIZE) {
      const page = await this.listBackupMigrationJobs({ ...query, limit: WALK_PAGE_SIZE, offset });
      jobs.push(...page.jobs);
      if (page.jobs.length === 0 || offset + page.jobs.length >= page.count) return jobs;
    }
  }

  /** Jobs whose name is exactly `name` (the list filter matches fuzzily, so we filter again). */
  async findBackupMigrationJobsByName(name: string): Promise<BackupMigrationJobSummary[]> {
    parseRequest('drs.findBackupMigrationJobsByName', JobName, name);
    const candidates = await this.listAllBackupMigrationJobs({ name });
    return candidates.filter((job) => job.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * Sent exactly once. On an error with `outcomeUnknown` the job may exist: look it up by name
   * before deciding to create again.
   */
  async createBackupMigrationJob(request: CreateBackupMigrationJobRequest): Promise<{ job_id: string }> {
    const operation = 'drs.createBackupMigrationJob';
    const valid = parseRequest(operation, CreateBackupMigrationJobRequest, request);
    const response = await this.transport.send({ operation, service: 'drs', method: 'POST', path: this.base, body: valid, retry: false });
    return parseResponse(operation, CreateBackupMigrationJobResponse, response.body, response.requestId);
  }

  async getBackupMigrationJob(jobId: string): Promise<BackupMigrationJob> {
    const operation = 'drs.getBackupMigrationJob';
    if (!jobId) throw new InvalidRequestError(operation, 'job_id', 'is required');
    const response = await this.transport.send({ operation, service: 'drs', method: 'GET', path: `${this.base}/${segment(jobId)}`, retry: true });
    return parseResponse(operation, BackupMigrationJob, response.body, response.requestId);
  }
}
