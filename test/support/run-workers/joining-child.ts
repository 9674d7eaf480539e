// A program run under runCommand (as `ml-tracking exec` and sweeps run one) that calls
// startRun() itself: it joins its parent's run and reports through the line protocol.
//   node --import tsx test/support/run-workers/joining-child.ts <prediction-id> <points> finish|early-stop|no-finish
import { startRun } from '../../../src/index.js';

const [predictionId, points, ending] = process.argv.slice(2);
if (predictionId === undefined || points === undefined || ending === undefined) {
  throw new Error('usage: joining-child <prediction-id> <points> finish|early-stop|no-finish');
}
const run = await startRun({
  project: 'the child names another project',
  hyperparameters: { from_child: 1 },
});
process.stdout.write(`child run ${run.id} project ${run.project}\n`);
for (let step = 0; step < Number(points); step += 1) run.addScalar('loss', 1 / (step + 1));
run.addScalars({ accuracy: 0.5, f1: 0.25 }, 7);
run.setSummary({ test_accuracy: 0.875 });
run.linkPrediction(predictionId);
process.stderr.write('child: done training\n');
if (ending === 'finish') await run.finish();
else if (ending === 'early-stop') await run.finish({ status: 'early_stopped' });
// no-finish: the exit hooks close the run as the process exits.
