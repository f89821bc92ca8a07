import { Body, Controller, Get, Header, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { CreateFirstUserDto } from '#src/accounts/dto/create-first-user.dto.js';
import { UsersService } from '#src/accounts/users.service.js';
import { Public } from '#src/auth/access.decorators.js';

export interface FirstRunStatus {
  needsFirstUser: boolean;
}

export interface CreatedFirstUser {
  user: { id: string; email: string; name: string; isSuperuser: boolean };
}

/**
 * The admin UI's first screen: while Finch has no user at all, anyone who can reach it
 * creates the first superuser. Afterwards it answers 409.
 */
@ApiTags('Setup')
@Controller('api/setup')
export class FirstRunController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  async status(): Promise<FirstRunStatus> {
    return { needsFirstUser: (await this.users.count()) === 0 };
  }

  @Post('first-user')
  @Public()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async createFirstUser(
    @Body() body: CreateFirstUserDto,
    @Req() request: FastifyRequest,
  ): Promise<CreatedFirstUser> {
    const user = await this.users.createFirstSuperuser(
      { email: body.email, name: body.name, password: body.password },
      { via: 'setup', ip: request.ip },
    );
    return {
      user: { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser },
    };
  }
}
