#!/bin/bash
# A vgrad sweep as a Slurm job array: each array task runs its share of the cells (vgrad reads
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) into its own results root. When all tasks are
# done, merge the shares into one sweep:
#
#   jobid=$(sbatch --parsable deploy/slurm-array.sh)
#   sbatch --dependency=afterany:$jobid --wrap 'npx vgrad merge shards/*/sweeps/quickstart --into results/sweeps/quickstart'
#
# Re-submitting after a failure or a timeout resumes: finished cells are skipped. Slurm sends
# SIGTERM before it kills a task; vgrad then stops its workers and keeps what finished.
# The task runs in the folder sbatch was called from (or --chdir); paths below are relative to it.
#SBATCH --job-name=vgrad-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=vgrad-sweep-%A_%a.out
set -euo pipefail
EXPERIMENT=${EXPERIMENT:-experiments/quickstart.yaml}
VGRAD=${VGRAD:-npx vgrad}
$VGRAD sweep "$EXPERIMENT" --jobs "${SLURM_CPUS_PER_TASK:-1}" --out "shards/${SLURM_ARRAY_TASK_ID}"
