// A module-resolution hook for `node --import`: any import of a Node
// built-in or of the Node transport fails, so whatever loads under it is
// what a browser bundle of it would need.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      import { builtinModules } from "node:module";
      export async function resolve(specifier, context, next) {
        const builtin = specifier.startsWith("node:") || builtinModules.includes(specifier);
        if (builtin || specifier.includes("@connectrpc/connect-node")) {
          throw new Error("not for a browser: " + specifier + " imported by " + context.parentURL);
        }
        return next(specifier, context);
      }`),
);
