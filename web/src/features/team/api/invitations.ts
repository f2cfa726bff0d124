// Invitations: list, invite, resend (a new link), revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';
import { teamKeys } from './users';

export type InvitationList = ResponseOf<'/api/invitations'>;
export type Invitation = InvitationList['data'][number];
export type NewInvitation = RequestBodyOf<'/api/invitations', 'post'>;

export function useInvitations(enabled = true) {
  return useQuery({
    queryKey: teamKeys.invitations,
    queryFn: ({ signal }) => api.get('/api/invitations', { signal }),
    enabled,
    // An e-mail goes out in the background: look again while one is still queued.
    refetchInterval: (query) =>
      query.state.data?.data.some(
        (invitation: Invitation) => invitation.status === 'pending' && invitation.email_delivery?.status === 'queued',
      )
        ? 2000
        : false,
  });
}

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitation: NewInvitation) => api.post('/api/invitations', { body: invitation }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKeys.invitations });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}

export function useResendInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post('/api/invitations/{id}/resend', { path: { id } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKeys.invitations });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/invitations/{id}', { path: { id } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKeys.invitations });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}
