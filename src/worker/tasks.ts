/** The worker's answer to a task message (export, import, check a model, inspect a backbone, score): the reply and the buffers to transfer. */
import { exportRun, importZip, inspectBackbone } from './modelTasks';
import type { TaskReply, TaskRequest } from './protocol';
import { checkUserModel, scoreFolder, type ScorePlatform } from './scoreTask';

export async function runTask(req: TaskRequest, p: ScorePlatform): Promise<{ reply: TaskReply; transfer: Transferable[] }> {
  switch (req.task) {
    case 'export': {
      const { fileName, zip } = await exportRun(await p.store(), req.runId, req.slot);
      return { reply: { task: 'export', fileName, zip }, transfer: [zip.buffer] };
    }
    case 'import': {
      const run = await importZip(await p.store(), new Uint8Array(await req.file.arrayBuffer()), req.fileName);
      return { reply: { task: 'import', runId: run.id, name: run.name }, transfer: [] };
    }
    case 'checkModel':
      return { reply: { task: 'checkModel', ...(await checkUserModel(req.files)) }, transfer: [] };
    case 'inspectBackbone':
      return { reply: { task: 'inspectBackbone', ...(await inspectBackbone(req.files)) }, transfer: [] };
    case 'score':
      return { reply: { task: 'score', ...(await scoreFolder(p, req.model, req.images)) }, transfer: [] };
  }
}
