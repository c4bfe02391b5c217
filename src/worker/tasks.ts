/** The worker's answer to a task message (export, import, check a model, inspect a backbone, score, PyTorch export and import): the reply and the buffers to transfer. */
import type { BuiltinModelReader } from './backbone';
import { exportRun, importZip, inspectBackbone, summarizeRun } from './modelTasks';
import type { TaskReply, TaskRequest } from './protocol';
import { exportPytorchRun, importPytorchResults } from './pytorchTasks';
import { checkUserModel, scoreFolder, type ScorePlatform } from './scoreTask';

/** What tasks need of the worker; the built-in models' files only for a PyTorch export of a pretrained run. */
export type TaskPlatform = ScorePlatform & { readBuiltinModel?: BuiltinModelReader };

export async function runTask(req: TaskRequest, p: TaskPlatform): Promise<{ reply: TaskReply; transfer: Transferable[] }> {
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
    case 'exportPytorch': {
      const out = await exportPytorchRun(await p.store(), req.runId, p.readBuiltinModel);
      return { reply: { task: 'exportPytorch', ...out }, transfer: [out.zip.buffer] };
    }
    case 'modelSummary':
      return { reply: { task: 'modelSummary', networks: await summarizeRun(await p.store(), req.runId) }, transfer: [] };
    case 'importPytorch': {
      const runs = await importPytorchResults(await p.store(), await req.file.text(), req.fileName);
      return { reply: { task: 'importPytorch', runs: runs.map((r) => ({ id: r.id, name: r.name })) }, transfer: [] };
    }
  }
}
