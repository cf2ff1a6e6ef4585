import { useState } from 'preact/hooks';

/**
 * Shown when the server answered 401: asks for the API token once, then the
 * caller retries. The token is kept in this browser (localStorage).
 */
export function TokenPrompt({ hadToken, onSave }: { hadToken: boolean; onSave: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token-prompt"
      data-testid="token-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <p>
        {hadToken ? 'The server refused the saved API token.' : 'This needs the API token.'} Paste the
        server's token (<code>server.token</code> in its config, or the <code>#token=</code> part of the link
        that <code>gapwarden demo</code> prints). It is kept in this browser only.
      </p>
      <div class="token-row">
        <input
          type="password"
          autocomplete="off"
          aria-label="API token"
          placeholder="token"
          value={value}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={!value.trim()}>
          Save and retry
        </button>
      </div>
    </form>
  );
}
