import * as Menu from '@radix-ui/react-dropdown-menu';
import type { User } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';

interface Props {
  myUserId: number | undefined;
  users: User[];
  onAssign: (userId: number | null) => void;
  disabled: boolean;
}

/** "Assign": to me, to nobody, or (for owners and admins, who may list people) to anyone on the team. */
export function AssignMenu({ myUserId, users, onAssign, disabled }: Props) {
  const { t } = useI18n();
  return (
    <Menu.Root>
      <Menu.Trigger asChild disabled={disabled}>
        <button type="button" className="button">
          {t('thread.assign')}
        </button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" align="end" sideOffset={4}>
          {myUserId !== undefined && (
            <Menu.Item className="menu-item" onSelect={() => onAssign(myUserId)}>
              {t('thread.assignToMe')}
            </Menu.Item>
          )}
          <Menu.Item className="menu-item" onSelect={() => onAssign(null)}>
            {t('thread.unassign')}
          </Menu.Item>
          {users.filter((user) => user.id !== myUserId).length > 0 && <Menu.Separator className="menu-separator" />}
          {users
            .filter((user) => user.id !== myUserId)
            .map((user) => (
              <Menu.Item key={user.id} className="menu-item" onSelect={() => onAssign(user.id)}>
                {user.name || user.email}
              </Menu.Item>
            ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
