/** One look for every table vgrad prints. cli-table3 colours borders itself, so colour off means styles off. */
import type { ChalkInstance } from 'chalk';
import type Table from 'cli-table3';

export function tableOptions(color: ChalkInstance, head: string[]): Table.TableConstructorOptions {
  return {
    head,
    style: { head: color.level > 0 ? ['cyan'] : [], border: color.level > 0 ? ['grey'] : [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  };
}
