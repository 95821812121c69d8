/** The names --backend accepts. Kept apart from select.ts so validating a flag never loads TensorFlow.js. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
