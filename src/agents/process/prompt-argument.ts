// The prompt as a positional argv value for CLIs that take it on the command line.

/**
 * The CLIs' option parsers take any argument starting with "-" for an option, so a prompt that
 * begins with a markdown list item ("- fix …") would be rejected as an unknown option. A leading
 * newline keeps it a positional argument and means nothing to the model.
 */
export function promptArgument(prompt: string): string {
  return prompt.startsWith("-") ? `\n${prompt}` : prompt;
}
