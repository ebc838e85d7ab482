namespace SocketGateway.Hosting;

/// <summary>
/// The page lives in the repository's top-level wwwroot. Serve that folder when running from a checkout (so
/// edits show without a build) and the copy beside the binaries otherwise (a published image).
/// </summary>
public static class WebRootLocator
{
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "wwwroot");
            if (File.Exists(Path.Combine(dir.FullName, "SocketGateway.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
