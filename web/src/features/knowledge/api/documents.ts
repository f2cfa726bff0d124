import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export function useDocuments() {
  return useQuery({
    queryKey: queryKeys.documents,
    queryFn: ({ signal }) => api.get('/api/knowledge-documents', { query: { limit: 500 }, signal }),
  });
}

/** Uploads the files one request each (the API takes one file per request), in turn. */
export function useUpload() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (files: File[]) => {
      for (const file of files) {
        const form = new FormData();
        form.append('file', file, file.name);
        await api.post('/api/knowledge-documents', { body: form });
      }
      return files.length;
    },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.documents }),
  });
}

export function useDeleteDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/knowledge-documents/{id}', { path: { id } }),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.documents }),
  });
}
