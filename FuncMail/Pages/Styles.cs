namespace FuncMail.Pages;

/// <summary>The one stylesheet, inlined and allowed by its hash in the CSP (see ResponseHardening); no third-party assets.</summary>
public static class Styles
{
    public const string Css =
        """
        :root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#5f6368;--line:#dadce0;--accent:#0a5fc2}
        @media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#1b1b1f;--muted:#a0a4ab;--line:#3c4043;--accent:#8ab4f8}}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
        header,main{max-width:60rem;margin:0 auto;padding:1rem}header{display:flex;gap:1rem;align-items:center;justify-content:space-between;border-bottom:1px solid var(--line)}
        a{color:var(--accent)}a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
        button,.button{font:inherit;padding:.4rem .9rem;border:1px solid var(--accent);border-radius:.3rem;background:var(--accent);color:var(--bg);cursor:pointer;text-decoration:none;display:inline-block}
        table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
        .muted{color:var(--muted)}.skip{position:absolute;left:-999px}.skip:focus{left:1rem}form.inline{display:inline}
        """;
}
