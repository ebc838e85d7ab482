using Microsoft.Playwright;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Browser;

/// <summary>
/// One headless Debian Chromium (driven by Playwright, no browser download) and one gateway for the browser tests;
/// each test opens its pages in a fresh browser context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AdminKey = "browser-tests-admin-key";
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private GatewayHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("not started");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (./test.sh does).");
        }

        Assertions.SetDefaultExpectTimeout((float)Timeouts.Step.TotalMilliseconds);
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:AdminApiKey"] = AdminKey,
            ["Gateway:Auth:SigningKey"] = Identity.TestTokens.SigningKey,
        });
        _playwright = await Playwright.CreateAsync().WaitAsync(Timeouts.Start);
        // Playwright gives every launch a fresh temporary profile (--user-data-dir).
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = (float)Timeouts.Start.TotalMilliseconds,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Opens the chat page of a gateway (the shared one by default) and waits until it is connected.</summary>
    public Task<ChatPage> OpenChatAsync(GatewayHost? host = null, int width = 1280, int height = 800) =>
        ChatPage.OpenAsync(Browser, (host ?? Host).HttpUri, width, height);

    /// <summary>Opens the chat page as <c>/#token=JWT</c>, the way a website hands its signed-in user over.</summary>
    public Task<ChatPage> OpenSignedInChatAsync(string token, string nick) =>
        ChatPage.OpenAsync(Browser, Host.HttpUri, 1280, 800, $"/#token={token}", nick);
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
