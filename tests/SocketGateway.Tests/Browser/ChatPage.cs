using Microsoft.Playwright;
using SocketGateway.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SocketGateway.Tests.Browser;

/// <summary>The chat page in its own browser context, driven the way a person would: typing, clicking, reading.</summary>
public sealed class ChatPage : IAsyncDisposable
{
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _log = [];

    private ChatPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            lock (_log)
            {
                _log.Add($"console.{message.Type}: {message.Text}");
            }

            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        page.RequestFailed += (_, request) =>
        {
            lock (_log)
            {
                _log.Add($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
    }

    /// <summary>What the page logged and which requests failed: attached to a failure to connect.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join("\n", _log);
            }
        }
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public string Nick { get; private set; } = "";

    /// <summary>Console errors and uncaught exceptions so far.</summary>
    public IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    public IResponse? Response { get; private set; }

    public ILocator Composer => Page.Locator("#composer-input");

    public ILocator Title => Page.Locator("#conversation-title");

    public ILocator Me => Page.Locator("#me-nick");

    public ILocator App => Page.Locator("#app");

    /// <param name="path">Where to open the page, e.g. <c>/#token=JWT</c>.</param>
    /// <param name="nick">The nick the page should show once connected; a guest nick when null.</param>
    public static async Task<ChatPage> OpenAsync(IBrowser browser, Uri baseUri, int width, int height, string path = "/", string? nick = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = width < 500 ? 2 : 1,
        });
        context.SetDefaultTimeout((float)Timeouts.Step.TotalMilliseconds);
        var chat = new ChatPage(context, await context.NewPageAsync());
        chat.Response = await chat.Page.GotoAsync(path);
        try
        {
            await chat.ExpectConnectedAsync();
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"the page did not connect; its log:\n{chat.Log}", e);
        }

        await Expect(chat.Me).ToHaveTextAsync(nick is null ? new System.Text.RegularExpressions.Regex("^guest-") : new System.Text.RegularExpressions.Regex($"^{nick}$"));
        chat.Nick = (await chat.Me.TextContentAsync())!;
        await Expect(chat.Title).ToHaveTextAsync("#lobby");
        return chat;
    }

    public Task ExpectConnectedAsync() => Expect(App).ToHaveAttributeAsync("data-connection", "connected");

    /// <summary>Types a line into the message box and presses Enter, as a user would.</summary>
    public async Task TypeAsync(string line)
    {
        await Composer.FillAsync(line);
        await Composer.PressAsync("Enter");
    }

    /// <summary>Types a line and waits until the box is cleared, i.e. the server accepted it.</summary>
    public async Task SubmitAsync(string line)
    {
        await TypeAsync(line);
        await Expect(Composer).ToHaveValueAsync("");
    }

    public async Task SetNickAsync(string nick)
    {
        await SubmitAsync($"/nick {nick}");
        await Expect(Me).ToHaveTextAsync(nick);
        Nick = nick;
    }

    public async Task JoinAsync(string room)
    {
        await SubmitAsync($"/join {room}");
        await Expect(Title).ToHaveTextAsync($"#{room}");
    }

    /// <summary>The message texts on screen that contain this text.</summary>
    public ILocator Message(string text) => Page.Locator("#messages .msg .msg-text").Filter(new LocatorFilterOptions { HasText = text });

    /// <summary>The message rows (text plus sender, time and transport mark) that contain this text.</summary>
    public ILocator MessageRow(string text) => Page.Locator("#messages .msg").Filter(new LocatorFilterOptions { HasText = text });

    public Task ExpectMessageAsync(string text) => Expect(Message(text)).ToHaveCountAsync(1);

    /// <summary>The sidebar entry of a room or private conversation ("room:name" / "dm:nick").</summary>
    public ILocator Conversation(string key) => Page.Locator($"#sidebar .nav-item[data-key=\"{key.ToLowerInvariant()}\"]");

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
