import { expect } from "chai";
import { buildProgram } from "../../lib/cli/main";

describe("ocipam command line", () => {
  it("reports the package version", () => {
    const program = buildProgram();
    expect(program.version()).to.match(/^\d+\.\d+\.\d+/);
  });
});
