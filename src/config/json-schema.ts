// The JSON Schema of the WORKFLOW.md front matter, for editors (yaml-language-server and others).
// Generated from the valibot description; the committed copy in schemas/ is kept equal by a test.
import { toJsonSchema } from "@valibot/to-json-schema";
import { frontMatterSchema } from "./front-matter-schema.ts";

export function workflowJsonSchema(): Record<string, unknown> {
  const generated = toJsonSchema(frontMatterSchema, { target: "draft-07", errorMode: "throw" }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "Sortie WORKFLOW.md front matter",
    description:
      "The YAML between the `---` lines at the top of WORKFLOW.md. Extra top-level blocks are passed to the adapter named like the block.",
    ...rest,
  };
}

/** The schema as committed to schemas/workflow.schema.json (2-space JSON plus a newline). */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
