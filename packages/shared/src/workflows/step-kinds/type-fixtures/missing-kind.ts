// A step-kind table that leaves out `fail`: it must not type-check (see ../index.test.ts).
import { http } from '../http.js';
import type { StepKindTable } from '../index.js';
import { llm } from '../llm.js';
import { notify } from '../notify.js';
import { store } from '../store.js';
import { transform } from '../transform.js';
import { wait } from '../wait.js';

export const table = { http, transform, llm, store, notify, wait } satisfies StepKindTable;
