/**
 * `vgrad native install`: builds the native TensorFlow backend (@tensorflow/tfjs-node's addon)
 * from a tensorflow-cpu wheel, for machines where tfjs-node's own install cannot download
 * libtensorflow. The work is in src/native/nativeBuild.ts; this file is the command line.
 */
import { Command } from 'commander';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { Interrupts } from './interrupts.js';

interface InstallFlags {
  wheel?: string;
  pip: string;
  force?: boolean;
}

function installCommand(): Command {
  return new Command('install')
    .description("build the native backend offline: tfjs-node's addon from a tensorflow-cpu wheel (pip download, or --wheel), checked with a one-op test")
    .option('--wheel <file>', 'a tensorflow-cpu wheel already downloaded (default: the cached one, else pip download --no-deps tensorflow-cpu)')
    .option('--pip <command>', 'the pip that downloads the wheel', COMMAND_DEFAULTS.native.pip)
    .option('--force', 'rebuild even if a working native backend is installed')
    .addHelpText(
      'after',
      '\nThe wheel is cached in $XDG_CACHE_HOME/vgrad/wheels (default ~/.cache/vgrad/wheels). Needs python3, g++, make and Node\'s headers.\n\nExamples:\n  $ vgrad native install\n  $ vgrad native install --wheel tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl\n  $ vgrad run --backend tensorflow --threads 1',
    )
    .action(async (flags: InstallFlags) => {
      const { installNative } = await import('../native/nativeBuild.js');
      const interrupts = new Interrupts().install();
      try {
        const result = await installNative({
          wheel: flags.wheel,
          pip: flags.pip,
          force: flags.force === true,
          log: (line) => process.stderr.write(`${line}\n`),
          signal: interrupts.signal,
        });
        process.stdout.write(`${result.packageDir}\n`);
      } catch (error) {
        if (interrupts.received) {
          process.exitCode = interrupts.exitCode!;
          return;
        }
        throw error;
      } finally {
        interrupts.uninstall();
      }
    });
}

export function nativeCommand(): Command {
  return new Command('native')
    .description('the native TensorFlow backend (@tensorflow/tfjs-node): build it without internet access beyond the package indexes')
    .addCommand(installCommand())
    .addHelpText('after', '\nExample:\n  $ vgrad native install');
}
