import { dcsMigrationTasks } from './fixtures';
import { ok, type Route } from './route';

export type MigrationTaskRecord = (typeof dcsMigrationTasks)[number] & Record<string, unknown>;

/**
 * DCS Redis migration tasks, seeded from the reference example; tests change them directly. A task's
 * status is any of the reference page's values or those DCS also answers (CREATING, ERROR, DELETED,
 * MIGRATION_SUCCESS); setStatus takes any string so a test can show a value nobody has seen yet.
 */
export class DcsService {
  readonly tasks = new Map<string, MigrationTaskRecord>(dcsMigrationTasks.map((task) => [task.task_id, structuredClone(task)]));

  put(task: MigrationTaskRecord): void {
    this.tasks.set(task.task_id, structuredClone(task));
  }

  setStatus(taskId: string, status: string): void {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`no DCS migration task ${taskId}`);
    task.status = status;
  }

  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/v2\/(?<project>[^/]+)\/migration-task\/(?<taskId>[^/]+)$/,
        operation: 'dcs.getMigrationTask',
        handle: ({ params }) => {
          const task = this.tasks.get(params.taskId ?? '');
          // The reference documents 404 with {error_msg, error_code, error_ext_msg}; the code itself is this emulator's choice.
          return task ? ok(task) : { status: 404, body: { error_msg: 'The migration task does not exist.', error_code: 'DCS.4800', error_ext_msg: null } };
        },
      },
    ];
  }
}
