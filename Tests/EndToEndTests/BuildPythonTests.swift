import Foundation
import Testing

/// `depot build run` with a Python project: built and uploaded with twine from a buildspec with no credentials,
/// then installed by pip and uv in another build, both configured only by the build's HOME.
@Suite("build: python project")
struct BuildPythonTests {
    @Test("python -m build + twine upload in post_build; pip download and uv pip install in another build")
    func twineUploadAndInstall() throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let bw = try BuildWorkspace()
        let path = "\(tools.bin.path):/usr/local/bin:/usr/bin:/bin"
        // PATH is not a variable a caller may override (it could point a build at other tools): the build inherits
        // the CLI's, and the sandbox shows its directories read-only.
        let environment = ["--env", "UV_PYTHON_DOWNLOADS=never"]
        let cliEnvironment = ["PATH": path]
        let library = try bw.project(
            "pylib",
            [
                "pyproject.toml": """
                    [build-system]
                    requires = ["setuptools>=61"]
                    build-backend = "setuptools.build_meta"

                    [project]
                    name = "depot-build-py"
                    version = "0.1.0"
                    requires-python = ">=3.8"
                    """,
                "src/depot_build_py/__init__.py": "def answer():\n    return 42\n",
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - python -m build --no-isolation --outdir dist .
                      post_build:
                        commands:
                          - twine upload --non-interactive dist/*
                    artifacts:
                      files: ['dist/*']
                      discard-paths: yes
                    """,
            ])
        let (upload, uploadJSON, _) = try bw.build(library, extra: environment, environment: cliEnvironment)
        #expect(upload.succeeded, "\(upload.output)")
        #expect(uploadJSON["status"] as? String == "SUCCEEDED")
        #expect(!upload.stdout.contains("dpt_"))
        let files = (uploadJSON["artifacts"] as? [[String: Any]])?.first?["files"] as? [String] ?? []
        #expect(Set(files) == ["depot_build_py-0.1.0-py3-none-any.whl", "depot_build_py-0.1.0.tar.gz"], "\(files)")

        let consumer = try bw.project(
            "pyconsumer",
            [
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      install:
                        commands:
                          - pip download --no-deps -d downloads depot-build-py==0.1.0
                          - uv venv --python "$(command -v python)" .venv
                          - uv pip install --python .venv/bin/python depot-build-py==0.1.0
                      build:
                        commands:
                          - test "$(.venv/bin/python -c 'import depot_build_py; print(depot_build_py.answer())')" = 42
                          - ls downloads
                    """
            ])
        let (install, installJSON, _) = try bw.build(consumer, extra: environment, environment: cliEnvironment)
        #expect(install.succeeded, "\(install.output)")
        #expect(installJSON["status"] as? String == "SUCCEEDED")
        #expect(install.stdout.contains("depot_build_py-0.1.0-py3-none-any.whl"), "\(install.output)")
    }
}
