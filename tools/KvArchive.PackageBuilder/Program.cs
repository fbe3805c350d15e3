using KvArchive.PackageBuilder;

// Usage:
//   KvArchive.PackageBuilder stage --module <out/KvArchive> --stage <dir> --nuspec <file> --changelog <CHANGELOG.md>
//                                  --license <LICENSE> --readme <README.md> --version <KvArchiveVersion>
//   KvArchive.PackageBuilder run-script --file <script.ps1>
if (args.Length == 0)
{
    return Usage();
}

var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

try
{
    switch (args[0])
    {
        case "stage":
            var staged = new GalleryPackage
            {
                ModuleDirectory = Option("module"),
                StageDirectory = Option("stage"),
                NuspecPath = Option("nuspec"),
                ChangelogPath = Option("changelog"),
                LicensePath = Option("license"),
                ReadmePath = Option("readme"),
                ExpectedVersion = Option("version"),
            }.Stage();
            Console.WriteLine($"{staged.Name} {Nuspec.PackageVersion(staged)} staged at {Path.GetDirectoryName(staged.Path)}");
            return 0;
        case "run-script":
            return ScriptHost.Run(Option("file"));
        default:
            return Usage();
    }
}
catch (PackageException e)
{
    Console.Error.WriteLine(e.ToMSBuildError());
    return 1;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: KvArchive.PackageBuilder stage --module <dir> --stage <dir> --nuspec <file> --changelog <file> --license <file> --readme <file> --version <version>");
    Console.Error.WriteLine("       KvArchive.PackageBuilder run-script --file <script.ps1>");
    return 2;
}
