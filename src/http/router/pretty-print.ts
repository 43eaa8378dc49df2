/**
 * Draws the radix tree as text, one edge per line, with the methods registered where a route
 * ends. For the docs and for debugging a surprising match.
 * @module
 */
import type { Node, Route } from './radix-node.js';

interface Branch {
  label: string;
  route: Route<unknown> | null;
  node: Node<unknown> | null;
}

function methods(route: Route<unknown> | null): string {
  return route === null ? '' : ` (${[...route.handlers.keys()].sort().join(', ')})`;
}

/** The lines below a node: static edges in order, then the param, then the wildcard. */
function branches(node: Node<unknown>): Branch[] {
  const out: Branch[] = [...node.statics]
    .sort((a, b) => (a.part < b.part ? -1 : 1))
    .map((child) => ({ label: child.part, route: child.route, node: child }));
  if (node.param !== null) out.push({ label: node.paramNames.map((n) => `:${n}`).join('|'), route: node.param.route, node: node.param });
  if (node.wildcard !== null) out.push({ label: '*', route: node.wildcard, node: null });
  return out;
}

function draw(node: Node<unknown>, indent: string, lines: string[]): void {
  const list = branches(node);
  list.forEach((branch, i) => {
    const last = i === list.length - 1;
    lines.push(`${indent}${last ? '└── ' : '├── '}${branch.label}${methods(branch.route)}`);
    if (branch.node !== null) draw(branch.node, indent + (last ? '    ' : '│   '), lines);
  });
}

/**
 * Renders the tree under `root`, e.g. for `/users/:id` (GET) and `/users/me` (GET, POST):
 * ```
 * └── /users/
 *     ├── me (GET, POST)
 *     └── :id (GET)
 * ```
 */
export function printTree(root: Node<unknown>): string {
  const lines: string[] = [];
  draw(root, '', lines);
  return lines.join('\n');
}
