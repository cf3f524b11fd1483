import * as core from '@actions/core';
import type { Annotation } from '../../core/render/annotations.js';
import type { Logger } from '../ports.js';

/**
 * Makes text safe for the runner's log: a line starting with `::` would be read as a workflow command
 * (forged annotations, `::add-mask::`, `::stop-commands::`), and PR content (paths, code, messages) can
 * contain one. A zero-width space between the colons keeps the text readable and inert.
 */
export function escapeWorkflowCommands(text: string): string {
  return text.replace(/::/g, ':\u200b:');
}

/** A Logger writing through @actions/core; everything that reaches stdout is escaped first. */
export function createActionsLogger(): Logger {
  return {
    debug: (m) => core.debug(m),
    info: (m) => core.info(escapeWorkflowCommands(m)),
    warning: (m) => core.warning(m),
    error: (m) => core.error(m),
  };
}

/** Reads one input exactly as the runner passes it (INPUT_<NAME>, hyphens kept, upper case). */
export function readRawInput(name: string): string {
  return core.getInput(name);
}

/** Registers a value with the runner so it is masked in every later log line. */
export function registerSecret(value: string): void {
  if (value) core.setSecret(value);
}

/** Sets a step output. */
export function setOutput(name: string, value: string): void {
  core.setOutput(name, value);
}

/** Appends markdown to the step's job summary. */
export async function writeJobSummary(markdown: string): Promise<void> {
  await core.summary.addRaw(markdown, true).write();
}

/** Emits annotations (the toolkit escapes their text and properties). */
export function emitAnnotations(annotations: Annotation[]): void {
  for (const a of annotations) {
    const properties: core.AnnotationProperties = { title: a.title };
    if (a.file) properties.file = a.file;
    if (a.startLine !== undefined) properties.startLine = a.startLine;
    if (a.level === 'error') core.error(a.message, properties);
    else if (a.level === 'warning') core.warning(a.message, properties);
    else core.notice(a.message, properties);
  }
}

/** Marks the step failed with a one-line reason (the exit code the required check reads). */
export function failStep(message: string): void {
  core.setFailed(message);
}
