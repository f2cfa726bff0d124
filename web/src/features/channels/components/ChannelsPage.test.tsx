import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { browser } from '../api/channels';
import { ChannelsPage } from './ChannelsPage';

const whatsapp = {
  id: 1,
  platform: 'whatsapp',
  account_id: '106540352242922',
  display_name: 'Front desk',
  enabled: true,
  access_token_hint: '…9xYz',
  display_phone_number: '+1 555-0100',
  verified_name: 'Acme Bakery',
  waba_id: '102289599326934',
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
};
const instagram = {
  id: 2,
  platform: 'instagram',
  account_id: '17841405822304914',
  display_name: null,
  enabled: false,
  access_token_hint: '…',
  username: 'acmebakery',
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
};

// What GET /api/platforms says each platform needs, as the server's plugins declare it.
const platforms = {
  data: [
    {
      name: 'whatsapp',
      display_name: 'WhatsApp',
      fields: [
        { key: 'account_id', flag: 'phone-number-id', label: 'Phone number ID', help: 'In API Setup.', required: true, secret: false },
        { key: 'access_token', flag: 'access-token', label: 'Access token', help: 'Stored encrypted.', required: true, secret: true },
        { key: 'waba_id', flag: 'waba-id', label: 'WhatsApp Business Account ID', help: 'For templates.', required: false, secret: false },
      ],
    },
    {
      name: 'instagram',
      display_name: 'Instagram',
      fields: [
        { key: 'account_id', flag: 'account-id', label: 'Instagram account ID', help: '', required: true, secret: false },
        { key: 'access_token', flag: 'access-token', label: 'Access token', help: '', required: true, secret: true },
      ],
    },
    {
      name: 'telegram',
      display_name: 'Telegram',
      fields: [
        { key: 'access_token', flag: 'bot-token', label: 'Bot token', help: 'From @BotFather.', required: true, secret: true },
      ],
    },
    {
      name: 'webchat',
      display_name: 'Web chat',
      fields: [
        { key: 'display_name', flag: 'name', label: 'Name', help: "The chat's title.", required: true, secret: false, multiple: false },
        { key: 'allowed_origins', flag: 'allowed-origin', label: 'Allowed origins', help: 'One per line.', required: true, secret: false, multiple: true },
        { key: 'color', flag: 'color', label: 'Colour', help: '#rrggbb', required: false, secret: false, multiple: false },
      ],
    },
  ],
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('ChannelsPage', () => {
  it('lists the channels with their platform, account, business account and status', async () => {
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [whatsapp, instagram] } });
    renderPage(<ChannelsPage />);
    const front = await screen.findByRole('row', { name: /Front desk/ });
    expect(within(front).getByText('WhatsApp')).toBeInTheDocument();
    expect(within(front).getByText('+1 555-0100')).toBeInTheDocument();
    expect(within(front).getByText('102289599326934')).toBeInTheDocument();
    expect(within(front).getByText('Active')).toBeInTheDocument();
    const insta = screen.getByRole('row', { name: /@acmebakery/ });
    expect(within(insta).getByText('Instagram')).toBeInTheDocument();
    expect(within(insta).getByText('Paused')).toBeInTheDocument();
  });

  it("lists a web chat with its sites and copies its script tag again", async () => {
    const script = '<script src="https://desk.example.com/webchat/widget.js" data-channel="wc_7Hq2" async></script>';
    const webchat = {
      ...instagram,
      id: 4,
      platform: 'webchat',
      account_id: 'wc_7Hq2',
      display_name: 'Shop chat',
      enabled: true,
      username: null,
      allowed_origins: ['https://shop.example', 'https://www.shop.example'],
      script,
    };
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [webchat] } });
    renderPage(<ChannelsPage />);
    const row = await screen.findByRole('row', { name: /Shop chat/ });
    expect(within(row).getByText('Web chat')).toBeInTheDocument();
    expect(within(row).getByText(/https:\/\/shop\.example, https:\/\/www\.shop\.example/)).toBeInTheDocument();
    await userEvent.click(within(row).getByRole('button', { name: 'Copy the script tag' }));
    expect(writeText).toHaveBeenCalledWith(script);
  });

  it('adds a WhatsApp channel, showing why Meta refused a token', async () => {
    let attempts = 0;
    const { calls } = fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [] },
      'POST /api/social-accounts': () =>
        ++attempts === 1
          ? {
              status: 400,
              body: {
                error: {
                  code: 'invalid_argument',
                  message: 'WhatsApp refused the credentials: Invalid OAuth access token - Cannot parse access token',
                },
              },
            }
          : { status: 201, body: whatsapp },
    });
    renderPage(<ChannelsPage />);
    const form = await screen.findByRole('region', { name: 'Add a channel' });
    await userEvent.type(await within(form).findByLabelText('Phone number ID'), '106540352242922');
    await userEvent.type(within(form).getByLabelText('Access token'), 'EAAG-wrong');
    await userEvent.type(within(form).getByLabelText(/WhatsApp Business Account ID/), '102289599326934');
    await userEvent.type(within(form).getByLabelText('Name (optional)'), 'Front desk');
    await userEvent.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The channel was not added: WhatsApp refused the credentials: Invalid OAuth access token',
    );
    const post = calls.find((call) => call.method === 'POST');
    expect(post?.body).toEqual({
      platform: 'whatsapp',
      account_id: '106540352242922',
      access_token: 'EAAG-wrong',
      display_name: 'Front desk',
      waba_id: '102289599326934',
    });

    await userEvent.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Front desk is connected.');
    expect(within(form).getByLabelText('Access token')).toHaveValue('');
  });

  it('asks each platform what the server says it needs: an Instagram account id, a Telegram bot token alone', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [] },
      'POST /api/social-accounts': { status: 201, body: { ...instagram, id: 3, platform: 'telegram', display_name: 'Desk bot' } },
    });
    renderPage(<ChannelsPage />);
    const form = await screen.findByRole('region', { name: 'Add a channel' });
    await userEvent.selectOptions(await within(form).findByLabelText('Platform'), 'instagram');
    expect(within(form).getByLabelText('Instagram account ID')).toBeInTheDocument();
    expect(within(form).queryByLabelText(/WhatsApp Business Account ID/)).not.toBeInTheDocument();

    await userEvent.selectOptions(within(form).getByLabelText('Platform'), 'telegram');
    expect(within(form).queryByLabelText(/account ID/i)).not.toBeInTheDocument();
    const token = within(form).getByLabelText('Bot token');
    expect(token).toHaveAccessibleDescription('From @BotFather.');
    await userEvent.type(token, '123456789:AAH-token');
    await userEvent.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Desk bot is connected.');
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      platform: 'telegram',
      access_token: '123456789:AAH-token',
      display_name: null,
    });
  });

  it('adds a web chat with one allowed origin per line and shows its script tag to copy', async () => {
    const script = '<script src="https://desk.example.com/webchat/widget.js" data-channel="wc_7Hq2" async></script>';
    const { calls } = fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [] },
      'POST /api/social-accounts': {
        status: 201,
        body: { ...instagram, id: 4, platform: 'webchat', public_id: 'wc_7Hq2', display_name: 'Shop', allowed_origins: ['https://shop.example'], script },
      },
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderPage(<ChannelsPage />);
    const form = await screen.findByRole('region', { name: 'Add a channel' });
    await userEvent.selectOptions(await within(form).findByLabelText('Platform'), 'webchat');
    expect(within(form).queryByLabelText('Name (optional)')).not.toBeInTheDocument();
    await userEvent.type(within(form).getByRole('textbox', { name: 'Name' }), 'Shop');
    const origins = within(form).getByRole('textbox', { name: 'Allowed origins' });
    expect(origins).toHaveAccessibleDescription('One per line.');
    await userEvent.type(origins, 'https://shop.example{Enter}{Enter}  https://www.shop.example  {Enter}');
    await userEvent.click(within(form).getByRole('button', { name: 'Add channel' }));

    const tag = await within(form).findByRole('textbox', { name: 'Script tag' });
    expect(tag).toHaveValue(script);
    expect(tag).toHaveAttribute('readonly');
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      platform: 'webchat',
      display_name: 'Shop',
      allowed_origins: ['https://shop.example', 'https://www.shop.example'],
    });
    const panel = within(form).getByRole('region', { name: 'The web chat’s tag' });
    await userEvent.click(within(panel).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(script);
    expect(await within(panel).findByText('Copied.')).toBeInTheDocument();
  });

  it('removes a channel after confirmation', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [whatsapp] },
      'DELETE /api/social-accounts/1': { status: 204, body: null },
    });
    renderPage(<ChannelsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove Front desk' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove Front desk?' });
    expect(within(dialog).getByText(/Its conversations are kept/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
  });

  it("sends the browser to Meta's login", async () => {
    const go = vi.spyOn(browser, 'go').mockImplementation(() => {});
    fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [] },
      'GET /api/social-accounts/connect/whatsapp': {
        platform: 'whatsapp',
        authorization_url: 'https://www.facebook.com/v23.0/dialog/oauth?client_id=1&state=s',
        redirect_uri: 'https://desk.example.com/api/social-accounts/connect/whatsapp/callback',
        expires_at: '2026-12-06T10:15:00.000Z',
      },
    });
    renderPage(<ChannelsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Connect WhatsApp with Meta' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://www.facebook.com/v23.0/dialog/oauth?client_id=1&state=s'));
  });

  it("shows why connecting is unavailable when the server says so", async () => {
    fakeApi({
      'GET /api/auth/me': me, 'GET /api/platforms': platforms,
      'GET /api/social-accounts': { data: [] },
      'GET /api/social-accounts/connect/instagram': {
        status: 503,
        body: { error: { code: 'unavailable', message: 'connecting with Meta is not configured' } },
      },
    });
    renderPage(<ChannelsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Connect Instagram with Meta' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Connecting with Meta failed: connecting with Meta is not configured');
  });

  it("tells what came back from Meta's login", async () => {
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [whatsapp] } });
    renderPage(<ChannelsPage />, { route: '/channels?connect=ok&platform=whatsapp&saved=1&skipped=0' });
    expect(await screen.findByText('Connected with Meta: 1 WhatsApp channel(s) added or renewed.')).toBeInTheDocument();
  });

  it("tells why Meta's login connected nothing", async () => {
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [] } });
    renderPage(<ChannelsPage />, {
      route: '/channels?connect=error&platform=whatsapp&reason=the%20authorization%20was%20not%20granted',
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Connecting with Meta failed: the authorization was not granted',
    );
  });

  it('shows agents the list only', async () => {
    fakeApi({ 'GET /api/auth/me': { ...me, role: 'agent' }, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [whatsapp] } });
    renderPage(<ChannelsPage />);
    await screen.findByRole('row', { name: /Front desk/ });
    expect(screen.queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Add a channel' })).not.toBeInTheDocument();
  });

  it('speaks French', async () => {
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/platforms': platforms, 'GET /api/social-accounts': { data: [whatsapp] } });
    renderPage(<ChannelsPage />, { language: 'fr' });
    expect(await screen.findByRole('button', { name: 'Retirer Front desk' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Ajouter un canal' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Connecter WhatsApp avec Meta' })).toBeInTheDocument();
  });
});
