import { describe, expect, it } from "@jest/globals";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFailureEs } from "../../src/remediation/describe-failure.js";
import { InvalidSpecError, NotRegularFileError } from "../../src/remediation/errors.js";
import { fillTemplate } from "../../src/util/template.js";

describe("describeFailureEs: why an action failed, in the admin's Spanish", () => {
  it("says a real system call's error by its path and errno", async () => {
    const error = await mkdir(join(tmpdir(), `vigia-no-such-${process.pid}`, "a", "b")).catch((e: unknown) => e);
    expect(describeFailureEs(error)).toMatch(/vigia-no-such-\d+\/a\/b: la ruta no existe \(ENOENT\)$/);
  });

  it("keeps an error already written for the admin as it is", () => {
    expect(describeFailureEs(new NotRegularFileError("modelos/ana", "una carpeta"))).toBe("modelos/ana: es una carpeta, no un archivo regular");
  });

  it("names what the line did not capture, and a rule's bad option without its English", () => {
    let missing: unknown;
    try {
      fillTemplate("{path}", {});
    } catch (error) {
      missing = error;
    }
    expect(describeFailureEs(missing)).toBe("la línea no nombra {path}, que la acción necesita");
    expect(describeFailureEs(new InvalidSpecError("prune", "glob", "a file-name pattern", "a/b"))).toBe("acción mal escrita en la regla: prune.glob (detalle en monitor.log)");
  });

  it("says an error of no known kind is unexpected, pointing at monitor.log", () => {
    expect(describeFailureEs(new TypeError("Cannot read properties of undefined"))).toBe("error inesperado (detalle en monitor.log)");
  });
});
