// Lets TypeScript accept the migration files, which Bun embeds as text (`with { type: "text" }`).
declare module "*.sql" {
  const text: string;
  export default text;
}
