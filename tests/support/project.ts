/** The repository's root, for tests that read its files or run its scripts; loads nothing else. */
import path from "node:path";

export const projectRoot = path.resolve(import.meta.dirname, "../..");
